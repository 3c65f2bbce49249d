/**
 * The demo shop's quiz and products: one list for the page's buttons, the quiz's Studio events
 * (it reads them from the page's settings) and the webhook the shop's server posts, so the
 * browser's and the server's copies describe the same products.
 */

/** A product as Studio's payloads carry it (`recommendations[]`, `product`). */
export interface DemoProduct {
  product_id: string;
  variant_id: string;
  sku: string;
  title: string;
  price: number;
}

export const DEMO_QUIZ = { id: "qz_demo_skin", name: "Skin Care Finder (demo)" } as const;

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { product_id: "8012345", variant_id: "44012345", sku: "SER-VC-30", title: "Vitamin C Serum", price: 34.0 },
  { product_id: "8012399", variant_id: "44012399", sku: "MST-HY-50", title: "Hydrating Moisturizer", price: 28.5 },
];
