# Sourced by the README commands and .ci/run: make a JDK 21+ the one Maven runs on.
# Keeps JAVA_HOME when it already points at 21+, else picks the newest 21+ JDK under /usr/lib/jvm.
jcable_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(jcable_java_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=""
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    if [ -x "$candidate/bin/java" ] && [ "$(jcable_java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      JAVA_HOME=$candidate
      break
    fi
  done
fi
if [ -z "$JAVA_HOME" ]; then
  echo "jcable: no JDK 21+ found; install one (e.g. Temurin 21/25) or set JAVA_HOME" >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# jcable_add_maven_opt NAME FLAG: adds FLAG to MAVEN_OPTS unless the user already set NAME either way.
# Flags every JDK 21+ accepts belong in .mvn/jvm.config instead.
jcable_add_maven_opt() {
  case " ${MAVEN_OPTS:-} " in
    *"$1"*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:-} $2" ;;
  esac
}
jcable_major=$(jcable_java_major "$JAVA_HOME")
if [ "$jcable_major" -ge 23 ]; then
  # Maven's Guava and protobuf use sun.misc.Unsafe; JDK 23+ warns about it on every run.
  jcable_add_maven_opt sun-misc-unsafe-memory-access --sun-misc-unsafe-memory-access=allow
fi
if [ "$jcable_major" -ge 26 ]; then
  # JettySessionTrim drops the upgrade request Jetty keeps per socket by clearing a final field, which JDK 26+
  # allows silently only with this flag (older JVMs refuse the option, so it cannot be in .mvn/jvm.config).
  jcable_add_maven_opt enable-final-field-mutation --enable-final-field-mutation=ALL-UNNAMED
fi
