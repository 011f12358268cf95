"""gunicorn settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`): access and error
logs go to stdout through the filter that masks 360 rater links (config/logging.py)."""

accesslog = "-"
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_rater_links": {"()": "config.logging.MaskRaterLinks"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_rater_links"],
            "stream": "ext://sys.stdout",
        }
    },
    "loggers": {
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
