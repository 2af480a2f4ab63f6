"""pySigma plugin shim: lets ``sigma convert -t splunk -p okta_ir rule.yml`` find the okta-ir pipeline.

pySigma discovers pipelines by scanning the ``sigma.pipelines`` namespace package (not entry points),
and an editable install cannot add to that scan, so this shim is installed as a regular package
(``pip install ./detections/sigma_plugin``). The pipeline itself lives in :mod:`detections.pipeline`.
"""

from __future__ import annotations

from detections.pipeline import okta_ir_pipeline

__all__ = ["okta_ir_pipeline", "pipelines"]

pipelines = {"okta_ir": okta_ir_pipeline}
