"""Use cases: message code -> handler. Each handler decodes the payload, calls behaviour and builds
the response payload; ``registry`` holds the entries, one module per family holds the handlers
(prepayment, supply, reads, tariff, chf_log, firmware), ``cosem`` runs DLMS requests against a
device's COSEM objects and ``esme_model`` binds the ESME's objects to its behaviour.
"""
