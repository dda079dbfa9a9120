"""The Scrapy project: one spider per board kind, fed by the sources in yuqing's configuration."""
