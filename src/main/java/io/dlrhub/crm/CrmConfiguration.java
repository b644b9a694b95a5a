package io.dlrhub.crm;

import io.dlrhub.Settings;
import java.time.Clock;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** Binds {@code crmRequest} for routes/sink-crm.camel.yaml from CRM_TOKEN and CRM_SIGNING_SECRET. */
@Configuration
public class CrmConfiguration implements CamelConfiguration {

    @BindToRegistry
    public CrmRequest crmRequest(CamelContext context) {
        Settings settings = new Settings(context);
        return new CrmRequest(
                settings.get("crm.token", null), settings.get("crm.signing-secret", null), Clock.systemUTC());
    }
}
