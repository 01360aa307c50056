//! Sign-in, the first-run page, the header's user box, and Admin > Users.

use crate::api::*;
use crate::components::*;
use crate::domain::Role;
use crate::forms::{ErrorSummary, FormState, TextInput};
use crate::wire::UserRow;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = query_param("next");
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action.value());
    // The same email and password open several accounts: which one.
    let choices = move || match error.get() {
        Some(crate::error::AppError::ChooseAccount { accounts }) => Some(view! {
            <fieldset class="choices">
                <legend>"Account"</legend>
                {accounts.into_iter().enumerate().map(|(i, a)| view! {
                    <label><input type="radio" name="account" value=a.id required=true checked=i == 0/>" "{a.name}</label>
                }).collect_view()}
            </fieldset>
        }),
        _ => None,
    };
    view! {
        <Title text="Sign in"/>
        <div class="narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=next.get_untracked()/>
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true autofocus=true/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true/>
                {choices}
                <ErrorNote error=error/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Signing in…">"Sign in"</button>
                </div>
            </ActionForm>
            <p class="hint">"Forgot your password? An Administrator of your account can set a new one."</p>
        </div>
    }
}

#[component]
pub fn FirstRunPage() -> impl IntoView {
    let action = ServerAction::<SetUp>::new();
    let form = FormState::of(action);
    let token = query_param("token").get_untracked();
    let allowed = Resource::new(move || token.clone(), may_set_up);
    view! {
        <Title text="Set up tenantmap"/>
        <div class="narrow">
            <h1>"Set up tenantmap"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Ok(true) => view! { <FirstRunForm action=action form=form/> }.into_any(),
                        Ok(false) => view! {
                            <p class="note error" role="alert">{crate::error::AppError::SetupTokenNeeded.to_string()}</p>
                        }.into_any(),
                        Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn FirstRunForm(action: ServerAction<SetUp>, form: FormState) -> impl IntoView {
    let token = query_param("token").get_untracked();
    view! {
        <p class="lead">"Create your MSP's account and its first Administrator. This page works once: afterwards, Administrators add users under Admin › Users."</p>
        <ErrorSummary form=form/>
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="token" value=token/>
            <TextInput form=form name="account" label="Account name" placeholder="Your MSP's name" required=true/>
            <TextInput form=form name="email" label="Your email" kind="email" autocomplete="username" required=true/>
            <TextInput form=form name="password" label="Password" kind="password" autocomplete="new-password"
                required=true minlength="12" hint="At least 12 characters."/>
            <TextInput form=form name="confirm" label="Password again" kind="password" autocomplete="new-password" required=true/>
            <div class="buttons">
                <button type="submit" class="primary" data-pending="Creating…">"Create account"</button>
            </div>
        </ActionForm>
    }
}

/// Who is signed in, and *Sign out*. Nothing when signed out.
#[component]
pub fn UserBox() -> impl IntoView {
    let me = use_me();
    let action = ServerAction::<SignOut>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().map(|m| view! {
                    <div class="me">
                        <span class="who" title=m.account_name.clone()>{m.email.clone()}<span class="role">{m.role.label()}</span></span>
                        <ActionForm action=action attr:class="sign-out">
                            <button type="submit" class="link">"Sign out"</button>
                        </ActionForm>
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let role = ServerAction::<SetUserRole>::new();
    let active = ServerAction::<SetUserActive>::new();
    let password = ServerAction::<SetUserPassword>::new();
    let users = Resource::new(|| (), |_| list_users());
    let add_form = FormState::of(add);
    view! {
        <Title text="Users"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › Users"</p>
        <h1>"Users"</h1>
        <p class="hint">"Administrators change things; Technicians see every page without the changing actions. Disabling a user or setting a new password ends their sessions at once."</p>
        <AdminOnly fallback=|| view! { <p class="note error" role="alert">"You are not allowed to do that. Only Administrators manage users."</p> }>
        <ErrorNote error=action_error(role.value())/>
        <ErrorNote error=action_error(active.value())/>
        <ErrorNote error=action_error(password.value())/>
        {move || matches!(password.value().get(), Some(Ok(()))).then(|| view! { <p class="note ok" role="status">"Password set. Their sessions have ended."</p> })}
        <Loaded data=users page={move |list, _| view! {
                <table class="grid users">
                    <thead><tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|u| view! { <UserRowView user=u role=role active=active password=password/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()}/>
        <section class="panel" aria-labelledby="add-user-heading">
            <h2 id="add-user-heading">"Add user"</h2>
            <ErrorSummary form=add_form/>
            <ActionForm action=add attr:class="form" attr:novalidate=true>
                <TextInput form=add_form name="email" label="Email" kind="email" autocomplete="off" required=true/>
                <label for="f-role">"Role"</label>
                <select id="f-role" name="role">
                    <option value="technician" selected=add_form.value("role", "technician") == "technician">"Technician"</option>
                    <option value="administrator" selected=add_form.value("role", "") == "administrator">"Administrator"</option>
                </select>
                {add_form.error("role")}
                <TextInput form=add_form name="password" label="First password" kind="password" autocomplete="new-password"
                    required=true minlength="12" hint="At least 12 characters. Give it to them; they sign in with it."/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Adding…">"Add user"</button>
                </div>
            </ActionForm>
        </section>
        </AdminOnly>
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    role: ServerAction<SetUserRole>,
    active: ServerAction<SetUserActive>,
    password: ServerAction<SetUserPassword>,
) -> impl IntoView {
    let version = user.version.to_string();
    let other = match user.role {
        Role::Administrator => Role::Technician,
        Role::Technician => Role::Administrator,
    };
    let you = user.is_you.then_some(" (you)");
    let pw_id = format!("pw-{}", user.id);
    let (id1, id2, id3) = (user.id.clone(), user.id.clone(), user.id.clone());
    let (version1, version2) = (version.clone(), version.clone());
    let pw_label = format!("New password for {}", user.email);
    view! {
        <tr class:disabled=!user.active>
            <td data-label="Email">{user.email.clone()}{you}</td>
            <td data-label="Role">{user.role.label()}</td>
            <td data-label="Status">{if user.active { "Active" } else { "Disabled" }}</td>
            <td class="actions user-actions">
                <Confirm label=format!("Make {}", other.label()) name=format!("Make {} {}", user.email, other.label()) class="small secondary"
                    question=match other {
                        Role::Technician => format!("Make {} a Technician? They will see every page but change nothing.", user.email),
                        Role::Administrator => format!("Make {} an Administrator? They will be able to change everything, users too.", user.email),
                    }>
                    <ActionForm action=role>
                        <input type="hidden" name="id" value=id1/>
                        <input type="hidden" name="version" value=version1/>
                        <input type="hidden" name="role" value=other.as_str()/>
                        <button type="submit" class="small primary" data-pending="Saving…">{format!("Yes, make {}", other.label())}</button>
                    </ActionForm>
                </Confirm>
                {(!user.is_you).then(|| if user.active { view! {
                    <Confirm label="Disable" name=format!("Disable {}", user.email) class="small danger"
                        question=format!("Disable {}? Their sessions end at once and they cannot sign in until enabled again.", user.email)>
                        <ActionForm action=active>
                            <input type="hidden" name="id" value=id2/>
                            <input type="hidden" name="version" value=version2/>
                            <input type="hidden" name="active" value="false"/>
                            <button type="submit" class="small danger" data-pending="Disabling…">"Yes, disable"</button>
                        </ActionForm>
                    </Confirm>
                }.into_any() } else { view! {
                    <ActionForm action=active>
                        <input type="hidden" name="id" value=id2/>
                        <input type="hidden" name="version" value=version2/>
                        <input type="hidden" name="active" value="true"/>
                        <button type="submit" class="small secondary">"Enable"</button>
                    </ActionForm>
                }.into_any() })}
                <details class="set-password">
                    <summary>"Set password"</summary>
                    <ActionForm action=password attr:novalidate=true>
                        <input type="hidden" name="id" value=id3/>
                        <input type="hidden" name="version" value=version/>
                        <label for=pw_id.clone() class="visually-hidden">{pw_label}</label>
                        <input id=pw_id name="password" type="password" autocomplete="new-password" required=true minlength="12"/>
                        <button type="submit" class="small">"Set"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
