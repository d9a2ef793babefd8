#!/usr/bin/env bash
# Sourced by bin/herald and bin/test: exports JAVA_HOME pointing at a JDK >= 25.
# Order: an already set JAVA_HOME, then every JDK under /usr/lib/jvm (newest first).
# Herald needs Java 25 (virtual threads without pinning on synchronized, JEP 491).

herald_java_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

herald_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    [ -n "$candidate" ] || continue
    candidate=${candidate%/}
    major=$(herald_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "Herald needs a JDK 25 or newer and found none (looked at JAVA_HOME and /usr/lib/jvm)." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' or set JAVA_HOME to a JDK 25 directory." >&2
  return 1
}

herald_require_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "Herald builds with Maven 3.8+ and 'mvn' is not on the PATH: install it (apt-get install maven)." >&2
  return 1
}
