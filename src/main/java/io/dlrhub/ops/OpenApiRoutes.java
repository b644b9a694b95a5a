package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.http.JsonAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code GET /api/openapi.json} on the management port (admin token): the OpenAPI 3.1 document of
 * the whole management API, from {@code src/main/resources/openapi.json}. OpenApiDocumentTest
 * keeps it and the routes in step.
 */
public class OpenApiRoutes extends RouteBuilder {

    public static final String DOCUMENT = "openapi.json";

    /** Shared by every route of the management port (OpsConfiguration): a console session counts here too. */
    @BeanInject
    AdminAuthenticator admin;

    @Override
    public void configure() throws Exception {
        String document = read();
        ManagementApi.secured(
                        from("platform-http:/api/openapi.json?httpMethodRestrict=GET&"
                                        + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-openapi"),
                        admin)
                .process(exchange -> {
                    ApiQuery.of(exchange, Set.of());
                    JsonAnswer.answer(exchange, 200, document);
                });
    }

    static String read() throws IOException {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
