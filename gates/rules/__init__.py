"""The semgrep rule pack shipped with ml-gates (YAML files, installed as package data)."""
