import importlib.util

# The summary tests need the optional `tensorboard` package (the test extra installs it).
if importlib.util.find_spec("tensorboard") is None:
    collect_ignore_glob = ["test_*.py"]
