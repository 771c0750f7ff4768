"""The string hashes moved to ``fluxion.core.primitives.fingerprint`` (``tf.strings`` uses
them too); this name stays for modules that import it from here."""

from fluxion.core.primitives.fingerprint import fingerprint64, hash_buckets, siphash24

__all__ = ["fingerprint64", "hash_buckets", "siphash24"]
