"""Dashboard Studio sources of the add-on, their snapshot data and their headless-Chromium harness."""
