"""Bad inputs of the pp_* modules: each must fail before any call, with a message that says what to change."""

from __future__ import annotations

UAT = "2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b"
OPERATION = "7d1b3c2a-9e8f-4a6b-8c5d-1e2f3a4b5c6d"

BACKUP = "d365fo.dataalm.pp_environment_backup"
BACKUP_INFO = "d365fo.dataalm.pp_environment_backup_info"
INFO = "d365fo.dataalm.pp_environment_info"
OPERATION_INFO = "d365fo.dataalm.pp_operation_info"
ADMIN_MODE = "d365fo.dataalm.pp_environment_admin_mode"


def task(name, module, **args):
    return {"name": name, module: args, "register": name}


BAD_INPUT = [
    (task("backup_env_not_guid", BACKUP, environment_id="contoso-uat", label="x"),
     "environment_id must be a Power Platform environment id"),
    (task("backup_label_empty", BACKUP, environment_id=UAT, label="  "), "label must not be empty"),
    (task("backup_label_too_long", BACKUP, environment_id=UAT, label="x" * 150), "at most 100 characters"),
    (task("backup_not_before_naive", BACKUP, environment_id=UAT, label="x", not_before="2026-11-20T18:00:00"),
     "time zone"),
    (task("backup_not_before_future", BACKUP, environment_id=UAT, label="x", not_before="2999-01-01T00:00:00Z"),
     "in the future"),
    (task("backup_max_age_words", BACKUP, environment_id=UAT, label="x", max_age="soon"),
     "max_age must be a duration"),
    (task("backup_pp_api_url_http", BACKUP, environment_id=UAT, label="x", pp_api_url="http://api.powerplatform.com"),
     "pp_api_url must be an https URL"),
    (task("admin_bap_url_ftp", ADMIN_MODE, environment_id=UAT, admin_mode="disabled", bap_api_url="ftp://bap"),
     "bap_api_url must be an https URL"),
    (task("info_authority_no_scheme", INFO, authority_url="login.microsoftonline.com"),
     "authority_url must be an https URL"),
    (task("backup_sp_without_tenant", BACKUP, environment_id=UAT, label="x", tenant_id="organizations"),
     "set tenant_id"),
    (task("info_no_client_id", INFO, client_id="", client_secret=""), "client_id is required"),
    (task("info_no_credential", INFO, client_secret=""), "no credential for client_id"),
    (task("info_username_without_sign_in", INFO, client_secret="", username="admin@contoso.example",
          token_cache="/nonexistent/pp-token-cache.json"), "sign-in needed for admin@contoso.example"),
    (task("info_password_without_username", INFO, client_secret="", password="Secret-1"), "password needs username"),
    (task("info_timeout_zero", INFO, timeout=0), "timeout must be a positive"),
    (task("info_api_version_unknown", INFO, api_version="2023-01-01"), "api_version must be one of"),
    (task("info_default_env_malformed", INFO, environment_id="Default-xyz"), "environment_id must be a Power Platform"),
    (task("admin_nothing_to_switch", ADMIN_MODE, environment_id=UAT),
     "one of the following is required: admin_mode, background_operations"),
    (task("admin_mode_on", ADMIN_MODE, environment_id=UAT, admin_mode="on"), "admin_mode must be one of"),
    (task("admin_access_token_only", ADMIN_MODE, environment_id=UAT, admin_mode="enabled", client_id="",
          access_token="eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.sig"),
     "access_token only serves the Power Platform API"),
    (task("operation_id_not_guid", OPERATION_INFO, operation_id="123"), "operation_id must be a GUID"),
    (task("operation_nothing_given", OPERATION_INFO), "one of the following is required: environment_id, operation_id"),
    (task("operation_wait_without_id", OPERATION_INFO, environment_id=UAT, wait=True),
     "wait needs operation_id"),
    (task("operation_limit_zero", OPERATION_INFO, environment_id=UAT, limit=0), "limit must be a positive"),
    (task("operation_wait_timeout_negative", OPERATION_INFO, operation_id=OPERATION, wait=True, wait_timeout=-5),
     "wait_timeout must be a positive"),
    (task("backup_info_label_empty", BACKUP_INFO, environment_id=UAT, label=""), "label must not be empty"),
]
