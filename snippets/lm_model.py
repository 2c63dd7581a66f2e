"""A tiny language model: tokens, the network, pretraining, and sampling from it.

First the model learns to continue text from ``lm_corpus.txt`` (``pretrain``, a
few seconds on a CPU).  Its next-token distribution is a policy π(a|s): the
state is the tokens so far, an action is the next token.  ``generate`` writes
responses by sampling from it, one token at a time.  The RL on top of it (the
reward, the environment, REINFORCE) is in ``lm_rl.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from rl4rlhf._checks import check_instance, check_int, check_positive
from torch import nn
from torch.nn import functional as F

CORPUS_PATH = Path(__file__).with_name("lm_corpus.txt")


# --8<-- [start:vocab]
END = "."  # ends every sentence, so it ends a response and starts the next one


class Vocab:
    """Word-level tokens: every distinct word of the corpus, and "." as its own token.

    >>> vocab = Vocab(["the cat sat .", "the dog ran ."])
    >>> vocab.tokens
    ('.', 'cat', 'dog', 'ran', 'sat', 'the')
    >>> vocab.encode("the cat ran")
    [5, 1, 3]
    """

    def __init__(self, sentences: Sequence[str]) -> None:
        words = {word for sentence in sentences for word in sentence.split()}
        self.tokens = tuple(sorted(words | {END}))  # sorted: the same ids every run
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.end_id = self.ids[END]

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        return [self.ids[word] for word in text.split()]

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self.tokens[int(i)] for i in ids)
        # --8<-- [end:vocab]


def load_corpus(path: Path = CORPUS_PATH) -> list[str]:
    """The corpus's sentences, one per line, each ending in " ."."""
    sentences = [line.strip() for line in path.read_text("utf-8").splitlines()]
    sentences = [s for s in sentences if s]
    bad = [s for s in sentences if not s.endswith(f" {END}")]
    if not sentences or bad:
        raise ValueError(f"{path}: every line must be a sentence ending in ' .'")
    return sentences


# --8<-- [start:lm_config]
@dataclass(frozen=True)
class LMConfig:
    """The tiny language model and its pretraining (next-token prediction)."""

    seed: int = 0  # the initial weights and the order of the training windows
    context: int = 24  # the most tokens the model reads (it keeps the last ones)
    width: int = 48  # the size of each token's vector (d_model)
    heads: int = 4  # attention heads per layer (width must divide by it)
    layers: int = 2  # transformer blocks
    steps: int = 600  # pretraining steps (AdamW)
    batch_size: int = 32  # windows of context + 1 tokens per step
    learning_rate: float = 3e-3  # AdamW's step size
    # --8<-- [end:lm_config]

    def __post_init__(self) -> None:
        check_int("seed", self.seed, minimum=0)
        for name in ("context", "width", "heads", "layers", "steps", "batch_size"):
            check_int(name, getattr(self, name), minimum=1)
        check_positive("learning_rate", self.learning_rate)
        if self.width % self.heads:
            raise ValueError(
                f"width must divide by heads ({self.heads}), got {self.width}"
            )


# --8<-- [start:model]
class Block(nn.Module):
    """One transformer block: causal self-attention, then an MLP, each residual."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.mlp = nn.Sequential(
            nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape  # batch, tokens, width
        q, k, v = self.qkv(self.norm1(x)).split(C, dim=-1)  # (B, T, C) each
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        # (B, heads, T, C / heads); is_causal: token t sees tokens 0..t only
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.out(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)
        return x + self.mlp(self.norm2(x))  # (B, T, C)


class TinyLM(nn.Module):
    """A small GPT: token ids (B, T) in, next-token logits (B, T, vocab) out."""

    def __init__(self, vocab_size: int, cfg: LMConfig) -> None:
        super().__init__()
        self.context = cfg.context
        self.embed = nn.Embedding(vocab_size, cfg.width)
        self.position = nn.Embedding(cfg.context, cfg.width)
        self.blocks = nn.Sequential(
            *(Block(cfg.width, cfg.heads) for _ in range(cfg.layers))
        )
        self.norm = nn.LayerNorm(cfg.width)
        self.head = nn.Linear(cfg.width, vocab_size)  # one logit per token

    def features(self, ids: torch.Tensor) -> torch.Tensor:
        """What the model knows at each position: (B, T) ids -> (B, T, width)."""
        ids = ids[:, -self.context :]  # (B, T) with T <= context
        positions = torch.arange(ids.shape[1])  # (T,)
        x = self.embed(ids) + self.position(positions)  # (B, T, width)
        return self.norm(self.blocks(x))  # (B, T, width)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(ids))  # (B, T, vocab)
        # --8<-- [end:model]


# --8<-- [start:pretrain]
def pretrain_loop(model: TinyLM, stream: torch.Tensor, cfg: LMConfig) -> TinyLM:
    """Teach ``model`` to predict the next token of ``stream``, the corpus's
    sentences joined into one sequence of ids (". the cat sat . the dog ...").

    Each step trains on random windows of it: predict token t+1 from tokens 0..t.
    """
    generator = torch.Generator().manual_seed(cfg.seed)  # the windows
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate)
    offsets = torch.arange(cfg.context + 1)  # (context + 1,)
    for _ in range(cfg.steps):
        starts = torch.randint(
            len(stream) - cfg.context - 1, (cfg.batch_size,), generator=generator
        )  # (B,)
        window = stream[starts[:, None] + offsets]  # (B, context + 1)
        logits = model(window[:, :-1])  # (B, context, vocab)
        loss = F.cross_entropy(logits.flatten(0, 1), window[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()
    # --8<-- [end:pretrain]


def pretrain(
    cfg: LMConfig | None = None, sentences: Sequence[str] | None = None
) -> tuple[TinyLM, Vocab]:
    """A fresh TinyLM taught to continue ``sentences`` (default: the corpus), and
    its vocabulary.  The door to pretraining: bad input fails here, by name."""
    cfg = LMConfig() if cfg is None else cfg
    check_instance("cfg", cfg, LMConfig, "an LMConfig")
    sentences = load_corpus() if sentences is None else _check_sentences(sentences, cfg)
    vocab = Vocab(sentences)
    stream = torch.tensor(vocab.encode(END + " " + " ".join(sentences)))  # (N,)
    with torch.random.fork_rng():  # seeded initial weights; torch's own RNG untouched
        torch.manual_seed(cfg.seed)
        model = TinyLM(len(vocab), cfg)
    return pretrain_loop(model, stream, cfg), vocab


def _check_sentences(sentences: Sequence[str], cfg: LMConfig) -> list[str]:
    if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
        raise TypeError(f"sentences must be a list of strings, got {sentences!r:.60}")
    tokens = 1 + sum(len(s.split()) for s in sentences)  # "." first, then the words
    if tokens <= cfg.context + 1:
        raise ValueError(
            f"sentences must hold more than context + 1 = {cfg.context + 1} tokens, "
            f"got {tokens}"
        )
    return list(sentences)


# --8<-- [start:policy]
def next_token_distribution(model: TinyLM, vocab: Vocab, prompt: str) -> dict:
    """π(a | s), the policy: the probability of every next token, largest first.
    The state is the prompt, after "." (a sentence starts there)."""
    ids = torch.tensor([encode_prompt(vocab, prompt)])  # (1, T)
    with torch.no_grad():
        logits = model(ids)[0, -1]  # (vocab,) the logits for the next token only
    probs = torch.softmax(logits, -1)
    order = torch.argsort(probs, descending=True, stable=True)
    return {vocab.tokens[i]: float(probs[i]) for i in order}


def encode_prompt(vocab: Vocab, prompt: str) -> list[int]:
    """The state at the start of an episode: "." (a sentence starts) + the prompt."""
    return [vocab.end_id, *vocab.encode(prompt)]
    # --8<-- [end:policy]


# --8<-- [start:sampling]
# --8<-- [start:sample_next]
def sample_next(logits: torch.Tensor, temperature: float, generator) -> torch.Tensor:
    """One next token per row of ``logits`` (B, vocab) -> (B,).  Temperature 0 is
    argmax; above 0, softmax(logits / temperature): below 1 sharper, above flatter."""
    if temperature == 0:
        return logits.argmax(-1)  # (B,) no randomness at all
    probs = torch.softmax(logits / temperature, dim=-1)  # (B, vocab)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)  # (B,)


# --8<-- [end:sample_next]
@dataclass(frozen=True, eq=False)
class Responses:
    """A batch of responses to one prompt, padded with "." after each one's end."""

    prompt: torch.Tensor  # (P,) the prompt's ids, "." first
    tokens: torch.Tensor  # (B, N) the response tokens, N <= max_new_tokens
    mask: torch.Tensor  # (B, N) True for the tokens of the response, "." included
    finished: torch.Tensor  # (B,) True where the response ended with "."


def generate(model, prompt_ids, n, max_new_tokens, temperature, generator):
    """``n`` Responses to one prompt, written side by side, one token per step."""
    end = int(prompt_ids[0])  # encode_prompt puts "." first
    prompt = torch.as_tensor(prompt_ids, dtype=torch.long)  # (P,)
    ids = prompt.repeat(n, 1)  # (n, P)
    done = torch.zeros(n, dtype=torch.bool)  # (n,)
    masks = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(ids)[:, -1]  # (n, vocab) the next token's logits
            token = sample_next(logits, temperature, generator)  # (n,)
            token = torch.where(done, end, token)  # finished responses stay finished
            masks.append(~done)
            ids = torch.cat([ids, token[:, None]], dim=1)  # (n, P + t + 1)
            done = done | (token == end)
            if done.all():
                break
    return Responses(prompt, ids[:, len(prompt) :], torch.stack(masks, 1), done)


def response_texts(vocab: Vocab, responses: Responses) -> list[str]:
    """Each response as text, up to and including its "." ("..." if unfinished)."""
    tokens, mask, finished = responses.tokens, responses.mask, responses.finished
    texts = [vocab.decode(t[m]) for t, m in zip(tokens, mask, strict=True)]
    return [t if done else t + " ..." for t, done in zip(texts, finished, strict=True)]
    # --8<-- [end:sampling]


# --8<-- [start:token_scorer]
class TokenScorer(nn.Module):
    """Q(s, a) as a separate network: it reads the state with the candidate token
    appended and outputs one number.  Choosing a token needs one pass per token."""

    def __init__(self, lm: TinyLM) -> None:
        super().__init__()
        self.lm = lm  # the same trunk; only the head differs
        self.q_head = nn.Linear(lm.head.in_features, 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B,)
        return self.q_head(self.lm.features(ids))[:, -1, 0]  # Q at the last token
        # --8<-- [end:token_scorer]
