"""okta-ir runtime: what runs inside splunkd (Okta client, System Log poller, containment, Splunk glue).

Runs on Python 3.9+: no `match`, no `X | Y` types evaluated at run time.
"""

__version__ = "0.1.0"
