"""One spider per board kind; each reads its source (url, params) from the configuration."""
