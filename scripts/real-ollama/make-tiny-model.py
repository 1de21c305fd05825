"""Writes a tiny llama-architecture GGUF model (about half a megabyte) for the real-Ollama tests.

Its weights are random, so its answers are noise; what the tests need is that Ollama loads it,
tokenizes with it and runs it like any real model (context window, truncation, queueing, loads).
The vocabulary is byte-level BPE in the GPT-2 style: one token per byte (so a prompt's token
count is close to its length in bytes), a few merges, and the ChatML control tokens.

Usage: make-tiny-model.py OUTPUT.gguf   (needs PyPI's gguf package on PYTHONPATH)
"""
import sys

import gguf
import numpy as np

CONTEXT_LENGTH = 8192
EMBEDDING = 64
HEADS = 4
KV_HEADS = 2
FEED_FORWARD = 128
LAYERS = 2
SEED = 12

CONTROL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# A few merges so the BPE merge table is not empty (llama.cpp refuses a gpt2 vocabulary
# without one); "Ġ" is the byte-level spelling of a space.
MERGES = [("Ġ", "t"), ("h", "e"), ("i", "n"), ("e", "r"), ("Ġ", "a"), ("o", "n"), ("r", "e"), ("Ġt", "he")]


def byte_level_alphabet():
    """GPT-2's reversible byte-to-character mapping: printable bytes stand for themselves, the
    others are shifted above U+0100 so every byte has a visible, non-space character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars = {}
    shifted = 0
    for byte in range(256):
        if byte in printable:
            chars[byte] = chr(byte)
        else:
            chars[byte] = chr(256 + shifted)
            shifted += 1
    return [chars[byte] for byte in range(256)]


def vocabulary():
    tokens = byte_level_alphabet() + ["".join(pair) for pair in MERGES] + CONTROL_TOKENS
    types = [gguf.TokenType.NORMAL] * (len(tokens) - len(CONTROL_TOKENS)) + [gguf.TokenType.CONTROL] * len(CONTROL_TOKENS)
    return tokens, types


def main(path):
    tokens, types = vocabulary()
    vocab = len(tokens)
    head_dim = EMBEDDING // HEADS
    rng = np.random.default_rng(SEED)

    def weights(rows, cols):
        # numpy shape (rows, cols) is ggml's [cols, rows]: cols inputs, rows outputs.
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("worksplit-tiny")
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_context_length(CONTEXT_LENGTH)
    writer.add_embedding_length(EMBEDDING)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(vocab)

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([f"{a} {b}" for a, b in MERGES])
    writer.add_bos_token_id(tokens.index("<|endoftext|>"))
    writer.add_eos_token_id(tokens.index("<|im_end|>"))
    writer.add_add_bos_token(False)

    # The answers are never ended by the model itself, so that the tests decide where they end
    # (num_predict, the end of the context, stop sequences): residual dimension 0 is a constant
    # 1 (set in every embedding, written to by no layer), and the control tokens' output rows
    # read it with a large negative weight, so their logits sit far below every byte token's.
    embedding = weights(vocab, EMBEDDING)
    embedding[:, 0] = 1.0
    output = weights(vocab, EMBEDDING)
    output[:, 0] = 0
    output[vocab - len(CONTROL_TOKENS):] = 0
    output[vocab - len(CONTROL_TOKENS):, 0] = -4.0
    writer.add_tensor("token_embd.weight", embedding)
    writer.add_tensor("output_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
    writer.add_tensor("output.weight", output)
    for layer in range(LAYERS):
        block = f"blk.{layer}"
        attn_output = weights(EMBEDDING, HEADS * head_dim)
        attn_output[0] = 0
        ffn_down = weights(EMBEDDING, FEED_FORWARD)
        ffn_down[0] = 0
        writer.add_tensor(f"{block}.attn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_q.weight", weights(HEADS * head_dim, EMBEDDING))
        writer.add_tensor(f"{block}.attn_k.weight", weights(KV_HEADS * head_dim, EMBEDDING))
        writer.add_tensor(f"{block}.attn_v.weight", weights(KV_HEADS * head_dim, EMBEDDING))
        writer.add_tensor(f"{block}.attn_output.weight", attn_output)
        writer.add_tensor(f"{block}.ffn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        writer.add_tensor(f"{block}.ffn_gate.weight", weights(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_up.weight", weights(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_down.weight", ffn_down)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make-tiny-model.py OUTPUT.gguf")
    main(sys.argv[1])
