"""Repository-only test helpers (not installed): fault-injecting portal, hostile pages."""
