package io.dlrhub.ingress;

import io.dlrhub.support.TestDatabase;

class SmsbyWebhookPostgresTest extends SmsbyWebhookContract {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
