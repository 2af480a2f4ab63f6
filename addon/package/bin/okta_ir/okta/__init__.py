"""The Okta API client and what is built on it.

Public: ``orgurl`` (normalize_org_url), ``auth`` (ApiTokenAuth, PrivateKeyJwtAuth, load_private_key),
``client`` (OktaClient, ClientSettings, Page). Helpers: ``keys``, ``jwt``, ``dpop``, ``links``,
``ratelimit``, ``retry``, ``errormap``, ``encoding``. ``system_log`` polls the System Log;
``containment`` calls Okta's containment actions.
"""
