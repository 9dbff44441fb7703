"""Pretrained models run by the engine on their real weights: all-MiniLM-L6-v2 (:mod:`.minilm`),
a BERT encoder built from :mod:`tracer.nn` blocks (:mod:`.bert`) and its WordPiece tokenizer."""
