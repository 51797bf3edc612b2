package io.herald.core.webhook;

class InMemoryWebhookFailureLogTest extends WebhookFailureLogContractTest {

    @Override
    protected WebhookFailureLog createLog(int keptPerApp) {
        return new InMemoryWebhookFailureLog(keptPerApp);
    }
}
