# ruff: noqa: I001  (import_declare_test must run first)
"""UCC REST handler hook of the Okta account tab: validates the org URL and the credential on save.

ucc-gen's ``ta_okta_ir_rh_account.py`` imports this class (globalConfig ``restHandlerModule``/``Class``);
the checks live in ``okta_ir.splunk.account_check`` and are tested there.
"""

import import_declare_test  # noqa: F401  (UCC-generated: puts the app's lib/ on sys.path)
from solnlib.splunkenv import get_splunkd_uri
from splunktaucclib.rest_handler.admin_external import AdminExternalHandler
from splunktaucclib.rest_handler.error import RestError

from okta_ir.errors import OktaIRError
from okta_ir.splunk.account_check import validate_account_payload


class OktaAccountHandler(AdminExternalHandler):
    """AdminExternalHandler that refuses an account Okta would refuse, saying why."""

    def handleCreate(self, confInfo):
        self._validate()
        AdminExternalHandler.handleCreate(self, confInfo)

    def handleEdit(self, confInfo):
        if "disabled" not in self.payload:
            self._validate()
        AdminExternalHandler.handleEdit(self, confInfo)

    def _validate(self):
        try:
            validate_account_payload(
                get_splunkd_uri(), self.getSessionKey(), self.callerArgs.id, self.payload
            )
        except OktaIRError as exc:
            raise RestError(400, str(exc)) from None
