"""Portal profiles, by name, read from ``newscrawl/profiles/*.toml`` when first asked for."""

from __future__ import annotations

import functools

from newscrawl.sites.loader import PROFILE_DIR, ProfileError, load_profile, load_profiles
from newscrawl.sites.profile import SiteProfile


@functools.cache
def all_profiles() -> dict[str, SiteProfile]:
    """Every packaged profile by name (read and validated on the first call)."""
    return load_profiles(PROFILE_DIR)


def profile_names() -> list[str]:
    """Names of the packaged profiles, sorted."""
    return sorted(all_profiles())


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name``; KeyError names the known ones."""
    try:
        return all_profiles()[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(profile_names())}") from None


def profile_for_url(url: str) -> SiteProfile | None:
    """The profile whose domains cover the URL's host, if any."""
    return next((p for p in all_profiles().values() if p.allowed_domains and p.owns(url)), None)


__all__ = [
    "ProfileError",
    "SiteProfile",
    "all_profiles",
    "get_profile",
    "load_profile",
    "profile_for_url",
    "profile_names",
]
