"""The emulated Power Platform API (api.powerplatform.com) and BAP admin API (api.bap.microsoft.com)."""
