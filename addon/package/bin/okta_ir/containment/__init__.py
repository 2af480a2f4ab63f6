"""Building blocks of containment: target validation, safety rails, zone gateway math, results.

The actions themselves (the calls to Okta) live in ``okta_ir.okta.containment``, the public entry.
"""
