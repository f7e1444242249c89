"""One module per gate section of ``policy.yaml``; each gate's owner extends its own."""
