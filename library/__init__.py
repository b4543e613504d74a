"""The qualification library: YAML files in git, validated, indexed in ChromaDB, retrieved per lead."""
