"""Splunk custom alert action okta_ir_reset_factors; the logic lives in okta_ir.splunk.alert_action."""
import sys

from okta_ir.splunk.alert_action import run_entry

if __name__ == "__main__":
    sys.exit(run_entry("okta_ir_reset_factors", __file__))
