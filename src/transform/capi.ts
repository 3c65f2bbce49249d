/**
 * The shapes of Meta's Conversions API, in Meta's own field names.
 *
 * Sources: "Server Event Parameters", "Customer Information Parameters" and "Custom Data"
 * in Meta's Conversions API documentation; docs/privacy-and-matching.md says how the relay fills them.
 *
 * @example
 * ```ts
 * const event: ServerEvent = {
 *   event_name: "Lead", event_time: 1795632127, event_id: "qz.ses.1",
 *   action_source: "website", event_source_url: "https://shop.example.com/quiz",
 *   user_data: { em: "62a14e44…", client_user_agent: "Mozilla/5.0 …" },
 * };
 * ```
 */

/** Customer information. Hashed keys hold one lowercase hex SHA-256; the last four are plain. */
export interface UserData {
  em?: string;
  ph?: string;
  fn?: string;
  ln?: string;
  ge?: string;
  db?: string;
  ct?: string;
  st?: string;
  zp?: string;
  country?: string;
  external_id?: string;
  client_ip_address?: string;
  client_user_agent?: string;
  fbc?: string;
  fbp?: string;
}

/** One line of `custom_data.contents`. */
export interface Content {
  id: string;
  quantity: number;
  item_price?: number;
}

export interface CustomData {
  value?: number;
  currency?: string;
  content_ids?: string[];
  contents?: Content[];
  content_type?: "product" | "product_group";
  content_name?: string;
  content_category?: string;
  num_items?: number;
}

/** Meta's `action_source` values this relay sends. */
export type ActionSource = "website";

export interface ServerEvent {
  event_name: string;
  /** Unix seconds. */
  event_time: number;
  event_id: string;
  action_source: ActionSource;
  event_source_url?: string;
  referrer_url?: string;
  user_data: UserData;
  custom_data?: CustomData;
  data_processing_options?: string[];
  data_processing_options_country?: number;
  data_processing_options_state?: number;
}

/** The JSON body POSTed to `/{version}/{pixel_id}/events`. */
export interface EventsRequestBody {
  data: ServerEvent[];
  access_token: string;
  test_event_code?: string;
  /** HMAC-SHA256 of the token keyed by the app secret, for apps that require it. */
  appsecret_proof?: string;
}

/** Meta's limit on events in one request. */
export const MAX_EVENTS_PER_REQUEST = 1000;

/** Meta rejects an event whose `event_time` is more than 7 days in the past. */
export const MAX_EVENT_AGE_SECONDS = 7 * 24 * 60 * 60;
