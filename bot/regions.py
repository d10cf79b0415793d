"""The regions a man can pick and what each implies, shared by the engine and the directory."""

from __future__ import annotations

# Regions a man can pick. A region falls back along REGION_PARENTS when a flow or the
# referral directory has nothing specific for it (Leuven -> Flanders -> default).
REGIONS = ("NL", "BE-VLG", "BE-LEUVEN", "BE-WAL-BRU", "ELDERS")
REGION_PARENTS = {"BE-LEUVEN": "BE-VLG"}
DEFAULT_REGION_KEY = "default"

# The country whose numbering plan a region's phone numbers follow (ELDERS has none).
REGION_COUNTRY = {"NL": "NL", "BE-VLG": "BE", "BE-LEUVEN": "BE", "BE-WAL-BRU": "BE"}
COUNTRY_TIMEZONE = {"NL": "Europe/Amsterdam", "BE": "Europe/Brussels"}
# The language a man in each region can be assumed to speak. Brussels is bilingual, but it is
# one choice together with French-speaking Wallonia. ELDERS has none: any language will do.
REGION_LANGUAGE = {"NL": "nl", "BE-VLG": "nl", "BE-LEUVEN": "nl", "BE-WAL-BRU": "fr"}


def region_chain(region: str | None) -> tuple[str, ...]:
    """Region codes to try, most specific first, ending with the default key."""
    chain: list[str] = []
    while region:
        chain.append(region)
        region = REGION_PARENTS.get(region)
    chain.append(DEFAULT_REGION_KEY)
    return tuple(chain)
