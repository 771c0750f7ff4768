"""The string hashes moved to ``fluxion.ops.strings.fingerprint`` (``tf.strings`` uses
them too); this name stays for modules that import it from here."""

from fluxion.ops.strings.fingerprint import fingerprint64, hash_buckets, siphash24

__all__ = ["fingerprint64", "hash_buckets", "siphash24"]
