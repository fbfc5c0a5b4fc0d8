import type { Child, FC } from "hono/jsx";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { Currency } from "../domain/currencies";
import { cancelRedirect } from "../domain/redirects";
import type { CheckoutView } from "../payments/views";
import { PAGE_CSS_PATH, PAGE_JS_PATH } from "./assets";
import { formatAmount, formatUtc } from "./format";

/**
 * The hosted checkout's HTML (hono/jsx escapes every value). No inline script or style: the CSP
 * allows only our own /checkout/assets/ files. Card numbers and CVVs are never written back into
 * a page; the buyer retypes them after a decline.
 */

export interface PageBuyer {
  full_name: string;
  /** The wallet's available balance in the checkout's currency; null when it could not be read. */
  available: number | null;
}

export interface CheckoutPageData {
  checkout: CheckoutView;
  kind: "session" | "intent";
  mode: "sandbox" | "live";
  merchant_name: string;
  buyer: PageBuyer | null;
}

/** The card form's fields, by the name each has in the form and the param the API names it by. */
export type CardField = "card_number" | "card_name" | "card_expiry" | "card_cvc";
export type FormField = CardField | "otp";

export interface FormState {
  /** Opened from checkout.js: the result goes back to the merchant's page by postMessage. */
  popup: boolean;
  /** The last attempt's answer, shown above the form. */
  error?: { message: string; decline_code?: string; attempts_remaining?: number };
  field_errors?: Partial<Record<FormField, string>>;
  /** What may be shown again: the name and expiry, never the number or CVV. */
  values?: { card_name?: string; card_expiry?: string };
}

export async function renderDocument(node: JSX.Element): Promise<string> {
  return "<!doctype html>" + (await node);
}

const Layout: FC<{ title: string; children?: Child }> = ({ title, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{title}</title>
      <link rel="stylesheet" href={PAGE_CSS_PATH} />
      <script src={PAGE_JS_PATH} defer></script>
    </head>
    <body>
      <main>{children}</main>
    </body>
  </html>
);

export const MessagePage: FC<{ title: string; message: string }> = ({ title, message }) => (
  <Layout title={title}>
    <div class="panel">
      <h1>{title}</h1>
      <p>{message}</p>
    </div>
  </Layout>
);

export const NotFoundPage = () => (
  <MessagePage
    title="Checkout not found"
    message="This payment link does not lead to a checkout. Check the link, or go back to the shop and start the payment again."
  />
);

export const InvalidLinkPage = () => (
  <MessagePage
    title="This payment link is not valid"
    message="The link is incomplete or wrong. Go back to the shop and start the payment again."
  />
);

export const ForeignFormPage = () => (
  <MessagePage
    title="This payment was not sent from the checkout page"
    message="For your safety, payments are only accepted from the checkout page itself. Go back to the shop and start the payment again."
  />
);

/** After paying or cancelling in a popup: page.js posts the result to the merchant's page and closes the window. */
export const ResultPage: FC<{
  status: "authorized" | "canceled" | "failed";
  id: string;
  redirect_url: string;
  target_origin: string;
  merchant_name: string;
}> = (props) => {
  const title =
    props.status === "authorized" ? "Payment authorized" : props.status === "canceled" ? "Payment canceled" : "Payment not completed";
  return (
    <Layout title={title}>
      <div
        class="panel"
        id="checkout-result"
        data-status={props.status}
        data-id={props.id}
        data-redirect-url={props.redirect_url}
        data-target-origin={props.target_origin}
      >
        <h1>{title}</h1>
        <p>Returning you to {props.merchant_name}…</p>
        <a class="button primary" href={props.redirect_url}>
          Continue to {props.merchant_name}
        </a>
      </div>
    </Layout>
  );
};

const Summary: FC<{ data: CheckoutPageData }> = ({ data }) => {
  const { checkout } = data;
  return (
    <section class="panel" aria-labelledby="summary-heading">
      {data.mode === "sandbox" ? <p class="badge">Sandbox: no real money moves</p> : null}
      <p class="merchant" id="summary-heading">
        {data.merchant_name}
      </p>
      <p class="amount" id="amount">
        {formatAmount(checkout.amount, checkout.currency as Currency)}
      </p>
      {checkout.description ? <p class="description">{checkout.description}</p> : null}
      <p class="meta">
        Expires <time datetime={checkout.expires_at}>{formatUtc(checkout.expires_at)}</time>
      </p>
    </section>
  );
};

const Hidden: FC<{ data: CheckoutPageData; form: FormState }> = ({ data, form }) => (
  <>
    <input type="hidden" name="client_secret" value={data.checkout.client_secret} />
    {form.popup ? <input type="hidden" name="popup" value="1" /> : null}
  </>
);

const AttemptError: FC<{ form: FormState }> = ({ form }) => {
  if (!form.error) return null;
  const { message, decline_code, attempts_remaining } = form.error;
  const details: string[] = [];
  if (decline_code) details.push(`Decline code ${decline_code}`);
  if (attempts_remaining !== undefined) details.push(`${attempts_remaining} ${attempts_remaining === 1 ? "attempt" : "attempts"} left`);
  return (
    <div class="alert" id="form-error" role="alert" tabindex={-1}>
      <p>{message}</p>
      {details.length > 0 ? <p class="detail">{details.join(" · ")}</p> : null}
    </div>
  );
};

/** A labelled input with its hint and error tied to it for screen readers. */
const Field: FC<{
  id: string;
  name: FormField;
  label: string;
  hint?: string;
  form: FormState;
  autocomplete: string;
  numeric?: boolean;
  maxlength: number;
  placeholder?: string;
  value?: string;
  focus?: boolean;
}> = (p) => {
  const error = p.form.field_errors?.[p.name];
  const describedBy = [p.hint ? `${p.id}-hint` : null, error ? `${p.id}-error` : null].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <input
        id={p.id}
        name={p.name}
        type="text"
        autocomplete={p.autocomplete}
        inputmode={p.numeric ? "numeric" : undefined}
        maxlength={p.maxlength}
        placeholder={p.placeholder}
        value={p.value}
        required
        spellcheck={false}
        autocapitalize={p.numeric ? "off" : undefined}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
        autofocus={p.focus || undefined}
      />
      {error ? (
        <p class="field-error" id={`${p.id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
};

const CancelForm: FC<{ data: CheckoutPageData; form: FormState }> = ({ data, form }) => (
  <form class="cancel-form" method="post" action={`/checkout/${encodeURIComponent(data.checkout.id)}/cancel`} data-once>
    <Hidden data={data} form={form} />
    <button type="submit" class="secondary" id="cancel-button">
      Cancel and return to {data.merchant_name}
    </button>
  </form>
);

const WalletForm: FC<{ data: CheckoutPageData; form: FormState }> = ({ data, form }) => {
  const { checkout, buyer } = data;
  const currency = checkout.currency as Currency;
  const short = buyer?.available !== null && buyer?.available !== undefined && buyer.available < checkout.amount;
  const firstError = form.field_errors?.otp !== undefined;
  return (
    <section class="panel" aria-labelledby="pay-heading">
      <h2 id="pay-heading">Pay from your Mazad wallet</h2>
      <dl>
        <dt>Account</dt>
        <dd id="buyer-name">{buyer?.full_name ?? "Unknown"}</dd>
        <dt>Available balance</dt>
        <dd id="buyer-balance">
          {buyer?.available === null || buyer?.available === undefined ? "Unavailable" : formatAmount(buyer.available, currency)}
        </dd>
      </dl>
      {short ? (
        <p class="note warning" id="balance-note">
          Your available balance is lower than this payment. Add funds to your wallet, then pay.
        </p>
      ) : null}
      <AttemptError form={form} />
      <form method="post" action={`/checkout/${encodeURIComponent(checkout.id)}/pay`} data-once>
        <Hidden data={data} form={form} />
        <Field
          id="otp"
          name="otp"
          label="Confirmation code"
          hint={`Enter the one-time code we sent you. In sandbox the code is always 123456.`}
          form={form}
          autocomplete="one-time-code"
          numeric
          maxlength={12}
          focus={firstError || Boolean(form.error)}
        />
        <button type="submit" class="primary" id="pay-button">
          Pay {formatAmount(checkout.amount, currency)}
        </button>
      </form>
      <CancelForm data={data} form={form} />
    </section>
  );
};

const CARD_FIELDS: CardField[] = ["card_number", "card_name", "card_expiry", "card_cvc"];

const CardForm: FC<{ data: CheckoutPageData; form: FormState }> = ({ data, form }) => {
  const { checkout } = data;
  const firstError = CARD_FIELDS.find((f) => form.field_errors?.[f] !== undefined) ?? (form.error ? "card_number" : undefined);
  return (
    <section class="panel" aria-labelledby="pay-heading">
      <h2 id="pay-heading">Pay by card</h2>
      <p class="hint">Sandbox test card: 4242 4242 4242 4242, any future expiry, any 3-digit CVV.</p>
      <AttemptError form={form} />
      <form method="post" action={`/checkout/${encodeURIComponent(checkout.id)}/pay`} data-once>
        <Hidden data={data} form={form} />
        <Field
          id="card-number"
          name="card_number"
          label="Card number"
          form={form}
          autocomplete="cc-number"
          numeric
          maxlength={23}
          placeholder="1234 1234 1234 1234"
          focus={firstError === "card_number"}
        />
        <Field
          id="card-name"
          name="card_name"
          label="Name on card"
          form={form}
          autocomplete="cc-name"
          maxlength={100}
          value={form.values?.card_name}
          focus={firstError === "card_name"}
        />
        <div class="row">
          <Field
            id="card-expiry"
            name="card_expiry"
            label="Expiry (MM/YY)"
            form={form}
            autocomplete="cc-exp"
            numeric
            maxlength={7}
            placeholder="MM/YY"
            value={form.values?.card_expiry}
            focus={firstError === "card_expiry"}
          />
          <Field
            id="card-cvc"
            name="card_cvc"
            label="CVV"
            form={form}
            autocomplete="cc-csc"
            numeric
            maxlength={4}
            placeholder="123"
            focus={firstError === "card_cvc"}
          />
        </div>
        <button type="submit" class="primary" id="pay-button">
          Pay {formatAmount(checkout.amount, checkout.currency as Currency)}
        </button>
      </form>
      <CancelForm data={data} form={form} />
    </section>
  );
};

/** Live mode has no card processor and no code sender yet: the page says so and offers no form. */
const LiveUnavailable: FC<{ data: CheckoutPageData }> = ({ data }) => (
  <section class="panel" aria-labelledby="pay-heading">
    <h2 id="pay-heading">{data.kind === "intent" ? "Card payments are not available yet" : "Wallet payments are not available yet"}</h2>
    <p class="note" id="live-unavailable">
      {data.kind === "intent"
        ? "Live card payments need a card processor, which is not connected yet. No payment can be made on this page."
        : "Live wallet payments need a confirmation-code sender, which is not connected yet. No payment can be made on this page."}
    </p>
    {/* The merchant learns which checkout the buyer walked away from, as after a cancel. */}
    <a class="button secondary" href={cancelRedirect({ ...data.checkout, kind: data.kind })}>
      Return to {data.merchant_name}
    </a>
  </section>
);

export const CheckoutPage: FC<{ data: CheckoutPageData; form: FormState }> = ({ data, form }) => (
  <Layout title={`Pay ${data.merchant_name}`}>
    <Summary data={data} />
    {data.mode === "live" ? (
      <LiveUnavailable data={data} />
    ) : data.kind === "session" ? (
      <WalletForm data={data} form={form} />
    ) : (
      <CardForm data={data} form={form} />
    )}
    <footer>
      <p>Secured by Mazad Wallet</p>
    </footer>
  </Layout>
);
