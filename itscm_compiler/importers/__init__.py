"""Importers: the catalogues people already have, turned into itscm documents.

Each source module reads its files into ``Entity`` values and ``Problem``
reports; ``merge.apply`` writes them through a ruamel.yaml round trip, so a
second import updates what the source owns (names, owners, dependencies,
instance counts) and keeps everything people wrote by hand (tiers, recovery
targets, comments, layout).
"""
