"""Custom Rasa NLU components: Norwegian tokenizer, language detector, KB entity extractor."""
