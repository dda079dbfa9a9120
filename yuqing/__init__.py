"""yuqing service shell: settings, CLI, scheduler jobs, email, dashboard."""
