package io.dlrhub.ops;

import io.dlrhub.Settings;
import io.dlrhub.auth.AdminAuthenticator;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The beans of the management port that its route builders share. */
@Configuration
public class OpsConfiguration implements CamelConfiguration {

    /**
     * The one authenticator of every /api route and of the console: a console session must be known
     * to all of them. Lazy, like the composition root's beans: built at the first {@code @BeanInject},
     * after the settings check has run.
     */
    @BindToRegistry(lazy = true)
    public AdminAuthenticator adminAuthenticator(CamelContext context) {
        return AdminAuthenticator.fromSettings(new Settings(context));
    }
}
