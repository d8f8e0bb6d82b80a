"""Portal profiles, by name."""

from __future__ import annotations

from newscrawl.sites import dzwww
from newscrawl.sites.profile import SiteProfile

PROFILES: dict[str, SiteProfile] = {dzwww.PROFILE.name: dzwww.PROFILE}


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name``; KeyError names the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(sorted(PROFILES))}") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose domains cover the URL's host, if any."""
    return next((p for p in PROFILES.values() if p.owns(url)), None)


__all__ = ["PROFILES", "SiteProfile", "get_profile", "profile_for_url"]
