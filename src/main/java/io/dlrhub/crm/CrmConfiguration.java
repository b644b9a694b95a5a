package io.dlrhub.crm;

import java.time.Clock;

import io.dlrhub.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** Binds {@code crmRequest} for routes/sink-crm.camel.yaml from CRM_TOKEN and CRM_SIGNING_SECRET. */
public class CrmConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        Settings settings = new Settings(context);
        context.getRegistry().bind("crmRequest", CrmRequest.class, new CrmRequest(
                settings.get("crm.token", null), settings.get("crm.signing-secret", null), Clock.systemUTC()));
    }
}
