"""The fact engine: clause-level facts from lead and call text, shared by the embedded judge and the call extractor."""
