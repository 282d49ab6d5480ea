# Sourced by the setup scripts: sets the array pip_index to this machine's local wheel
# indexes (first as --index-url, the rest as --extra-index-url) when it has them; the main
# index may be unreachable there. Empty elsewhere: pip uses its own configuration.
pip_index=()
for index in /opt/pypi/simple /opt/pypi-more/simple; do
  if [ -d "$index" ]; then
    if [ ${#pip_index[@]} -eq 0 ]; then pip_index+=(--index-url "file://$index");
    else pip_index+=(--extra-index-url "file://$index"); fi
  fi
done
