"""Portal profiles, by name, read from ``newscrawl/profiles/*.toml``."""

from __future__ import annotations

from newscrawl.sites.loader import PROFILE_DIR, ProfileError, load_profile, load_profiles
from newscrawl.sites.profile import SiteProfile

PROFILES: dict[str, SiteProfile] = load_profiles(PROFILE_DIR)


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name``; KeyError names the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(sorted(PROFILES))}") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose domains cover the URL's host, if any."""
    return next((p for p in PROFILES.values() if p.allowed_domains and p.owns(url)), None)


__all__ = [
    "PROFILES",
    "ProfileError",
    "SiteProfile",
    "get_profile",
    "load_profile",
    "profile_for_url",
]
