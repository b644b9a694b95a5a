package io.dlrhub.ingress;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.TestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

class SmsbyWebhookH2Test extends SmsbyWebhookContract {

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::h2InMemory);

    @Override
    HubExtension shared() {
        return shared;
    }
}
