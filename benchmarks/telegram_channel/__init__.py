"""The Telegram channel benchmark: run it with python -m benchmarks.telegram_channel."""
