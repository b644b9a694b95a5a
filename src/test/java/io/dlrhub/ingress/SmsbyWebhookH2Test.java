package io.dlrhub.ingress;

import io.dlrhub.support.TestDatabase;

class SmsbyWebhookH2Test extends SmsbyWebhookContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2InMemory();
    }
}
