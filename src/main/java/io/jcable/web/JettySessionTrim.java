package io.jcable.web;

import jakarta.websocket.Session;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops what Jetty 12's JSR-356 session keeps for the socket's life although jcable never uses it, about 5 KiB of
 * the heap per socket (half of an idle subscribed socket's):
 * <ul>
 *   <li>the decoders of every primitive type (21 objects, 0.8 KiB), registered whatever the endpoint configures
 *       and read only when a message handler is added: emptied through the public {@code Iterable} that the
 *       session's {@code getDecoders()} returns;</li>
 *   <li>the encoders (19 objects, 1.06 KiB), read only by {@code sendObject}, which jcable never calls: a private
 *       list of the session's {@code getEncoders()}, emptied;</li>
 *   <li>the upgrade request, which the frame handler keeps only for {@code getUserPrincipal()} (jcable never calls
 *       it): through it the servlet request and the HTTP/1 connection that carried the handshake, with its parser
 *       and header fields (most of the 5 KiB). A private final field of the frame handler, cleared.</li>
 * </ul>
 * The last two reach into Jetty's private fields (the web app shares no module with Jetty's classes, so nothing
 * stops it). Clearing a final field by reflection makes JDK 26 and later print a warning (and a later JDK refuse)
 * unless the JVM runs with {@code --enable-final-field-mutation=ALL-UNNAMED}, so there the upgrade request is
 * dropped only with that flag. Whatever a Jetty version or a JDK does not allow, the session keeps: memory, not
 * function; one line at the first socket says what is dropped. Call once the endpoint has added its message
 * handlers and read the handshake. One per web app.
 */
final class JettySessionTrim {
    private static final Logger LOG = LoggerFactory.getLogger(JettySessionTrim.class);

    /** The session class's ways in; a null member is a part this Jetty does not let go. */
    private record Parts(Class<?> sessionClass, Method decoders, Method encoders, Field encoderList,
                         Method frameHandler, Field upgradeRequest) {
    }

    private static final Parts NONE = new Parts(null, null, null, null, null, null);

    /** {@link #NONE} when the container is not Jetty 12. */
    private final FirstSocketLookup<Parts> parts = new FirstSocketLookup<>();

    /** Drops the unused parts of {@code socket}'s session; a container that is not Jetty is left alone. */
    void trim(Session socket) {
        Parts found = parts.get(socket.getClass(), JettySessionTrim::lookUp);
        if (found.sessionClass() != socket.getClass()) {
            return;
        }
        try {
            if (found.decoders() != null) {
                emptyIterable(found.decoders().invoke(socket));
            }
            if (found.encoderList() != null) {
                ((List<?>) found.encoderList().get(found.encoders().invoke(socket))).clear();
            }
            if (found.upgradeRequest() != null) {
                found.upgradeRequest().set(found.frameHandler().invoke(socket), null);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            parts.replace(NONE);
            LOG.info("Jetty's JSR-356 sessions keep their unused parts from now on ({})", e.toString());
        }
    }

    private static void emptyIterable(Object iterable) {
        Iterator<?> registered = ((Iterable<?>) iterable).iterator();
        while (registered.hasNext()) {
            registered.next();
            registered.remove();
        }
    }

    private static Parts lookUp(Class<?> sessionClass) {
        if (!sessionClass.getName().startsWith("org.eclipse.jetty.")) {
            return NONE;
        }
        Method decoders = publicMethod(sessionClass, "getDecoders");
        if (decoders != null && !Iterable.class.isAssignableFrom(decoders.getReturnType())) {
            decoders = null;
        }
        Method encoders = publicMethod(sessionClass, "getEncoders");
        Field encoderList = encoders == null ? null : privateField(encoders.getReturnType(), "registeredEncoders",
                List.class);
        Method frameHandler = publicMethod(sessionClass, "getFrameHandler");
        boolean finalFieldsMutable = finalFieldsMutable(Runtime.version().feature(),
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        Field upgradeRequest = frameHandler == null || !finalFieldsMutable ? null
                : privateField(frameHandler.getReturnType(), "upgradeRequest", Object.class);
        LOG.info("Jetty's JSR-356 sessions drop their unused parts: decoders {}, encoders {}, upgrade request {}",
                decoders != null ? "yes" : "no", encoderList != null ? "yes" : "no", upgradeRequest != null ? "yes"
                        : finalFieldsMutable ? "no" : "no (on JDK 26+ only with --enable-final-field-mutation=ALL-UNNAMED)");
        return new Parts(sessionClass, decoders, encoders, encoderList, frameHandler, upgradeRequest);
    }

    /**
     * Whether this JVM lets class-path code clear a final field silently: before JDK 26, or when its command line
     * has {@code --enable-final-field-mutation} naming {@code ALL-UNNAMED}.
     */
    static boolean finalFieldsMutable(int jdkFeature, List<String> jvmArguments) {
        if (jdkFeature < 26) {
            return true;
        }
        String option = "--enable-final-field-mutation";
        for (int i = 0; i < jvmArguments.size(); i++) {
            String argument = jvmArguments.get(i);
            String modules = argument.startsWith(option + "=") ? argument.substring(option.length() + 1)
                    : argument.equals(option) && i + 1 < jvmArguments.size() ? jvmArguments.get(i + 1) : "";
            if (List.of(modules.split(",")).contains("ALL-UNNAMED")) {
                return true;
            }
        }
        return false;
    }

    private static Method publicMethod(Class<?> type, String name) {
        try {
            return type.getMethod(name);
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }

    /** The field {@code name} of {@code type}, made accessible, if its type is a {@code kind}; else null. */
    private static Field privateField(Class<?> type, String name, Class<?> kind) {
        try {
            Field field = type.getDeclaredField(name);
            if (!kind.isAssignableFrom(field.getType()) || field.getType().isPrimitive()) {
                return null;
            }
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException | RuntimeException e) {
            LOG.debug("{}.{} not reachable: {}", type.getName(), name, e.toString());
            return null;
        }
    }
}
