"""Scrapy settings for the yuqing crawlers.

These are the polite defaults; everything tied to a deployment (user agent, delays, concurrency,
database, Redis, the source being crawled) is filled in from yuqing's own Settings by
``crawlers.config.scrapy_settings`` — either by ``yuqing crawl`` / ``python -m crawlers.run`` or,
under ``scrapy crawl``, by the spider from the yuqing configuration file.
"""

BOT_NAME = "yuqing"

SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "yuqing/0.1 (+政务舆情监测; contact the operator of this deployment)"

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_TIMEOUT = 30

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# A board page is tens of kilobytes; a page of megabytes is a broken or hostile server.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Network errors are retried by Scrapy; HTTP 403/429/5xx get backoff in BackoffMiddleware.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES: list[int] = []
YUQING_BACKOFF_CODES = [403, 429, 500, 502, 503, 504, 522, 524, 408]
YUQING_BACKOFF_RETRIES = 3
YUQING_BACKOFF_BASE_S = 15.0
YUQING_BACKOFF_MAX_S = 300.0
# consecutive 403/429 answers (after retries) before the crawl stops as "blocked"
YUQING_BLOCKED_AFTER = 2

HTTPERROR_ALLOW_ALL = False

SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.IncrementalMiddleware": 600,
}
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.BackoffMiddleware": 560,
    "crawlers.middlewares.CharsetMiddleware": 590,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.NormalisePipeline": 50,
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.RelevancePipeline": 200,
    "crawlers.pipelines.StoragePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.RunRecorder": 100,
}

# The crawl's own log is enough; Scrapy's per-item DEBUG lines would drown it.
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
