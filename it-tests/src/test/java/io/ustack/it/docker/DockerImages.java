package io.ustack.it.docker;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a Docker IT class the {@link DaemonImage}: checks for Docker and builds the image once per run (in
 * the root store, which closes it, removing the image, after the last test class).
 */
final class DockerImages implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(DockerImages.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        DockerRequirement.require();
        image(context);
    }

    private static DaemonImage image(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent(DaemonImage.class, k -> DaemonImage.build(),
                DaemonImage.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == DaemonImage.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return image(context);
    }
}
