package io.dlrhub.ingress;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.TestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmsbyWebhookPostgresTest extends SmsbyWebhookContract {

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::postgres);

    @Override
    HubExtension shared() {
        return shared;
    }
}
