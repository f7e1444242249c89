"""Small example projects and models used by ml-gates' own policy and tests."""
