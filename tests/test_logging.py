"""A 500's traceback reaches the log file `make run` gives the web processes (issue 15: it
reached the terminal only, while the README sends people to .data/logs/web.log)."""

import logging
import logging.config

from leadcrm.settings.base import logging_config


def test_a_request_error_with_its_traceback_lands_in_the_log_file(tmp_path):
    log_file = tmp_path / "web.log"
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(logging_config(str(log_file)))
        try:
            raise ValueError("timestamp too small")
        except ValueError:
            logging.getLogger("django.request").exception("Internal Server Error: /leads/")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file.read_text()
        assert "ERROR django.request Internal Server Error: /leads/" in text
        assert "Traceback (most recent call last)" in text
        assert "ValueError: timestamp too small" in text
    finally:
        for handler in root.handlers[:]:
            if handler not in saved[0]:
                root.removeHandler(handler)
                handler.close()
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_without_a_file_only_the_console():
    config = logging_config("")
    assert list(config["handlers"]) == ["console"]
    assert config["root"]["handlers"] == ["console"]
